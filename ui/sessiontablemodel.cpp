#include "sessiontablemodel.h"
