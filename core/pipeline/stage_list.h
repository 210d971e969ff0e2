// The registered stage kinds, one line each, in pipeline order (no include guard: read by
// stage_registry.cpp with its own HW_STAGE). HW_STAGE(name) is `StageKind nameStageKind()`,
// defined in core/pipeline/stage_name.cpp.
HW_STAGE(relabel)
HW_STAGE(regenerate)
HW_STAGE(label)
HW_STAGE(aggregate)
HW_STAGE(personas)
HW_STAGE(imagine)
HW_STAGE(critique)
HW_STAGE(evaluate)
