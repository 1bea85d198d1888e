#include "packets.h"
