#include "sessionmachine.h"
