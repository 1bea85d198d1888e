#include "dashboardview.h"
