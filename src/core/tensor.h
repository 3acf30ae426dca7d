// skiff::Tensor is public (<skiff/types.h>); internal code includes this.
#pragma once

#include "core/dtype.h"
#include "core/error.h"
#include "core/shape.h"
#include "skiff/types.h"
