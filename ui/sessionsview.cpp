#include "sessionsview.h"
