#pragma once
// Moved to core/store (every SQL owner lives there): include "core/store/job_store.h". Kept so that
// branches written against the old path still build; remove once none does.
#include "core/store/job_store.h"
