#include "messagesview.h"
