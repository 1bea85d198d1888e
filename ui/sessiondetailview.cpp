#include "sessiondetailview.h"
