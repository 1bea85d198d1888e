#include "subscriptiontree.h"
