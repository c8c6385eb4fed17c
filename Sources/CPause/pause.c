// CPause is header-only (an always-inline function); SwiftPM needs one source file per C target.
#include "CPause.h"
