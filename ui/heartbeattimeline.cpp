#include "heartbeattimeline.h"
