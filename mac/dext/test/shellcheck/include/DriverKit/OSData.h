#include "../standin.h"
