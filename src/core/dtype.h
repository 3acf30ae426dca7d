// Element types: defined in the public <skiff/types.h> (DataType, Float16,
// BFloat16, dtype_size, dtype_name, dtype_of<T>), so the API needs no
// conversion layer.
#pragma once

#include "skiff/types.h"
