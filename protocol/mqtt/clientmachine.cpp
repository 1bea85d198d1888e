#include "clientmachine.h"
