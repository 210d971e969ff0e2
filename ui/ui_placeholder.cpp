// Removed once ui/ has real sources.
namespace hw::ui { void placeholder() {} }
