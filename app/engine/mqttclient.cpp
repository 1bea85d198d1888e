#include "mqttclient.h"
