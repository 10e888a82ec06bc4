#include "io/gdal.h"

#include <gdal.h>

#include <pthread.h>

static void register_all(void)
{
    GDALAllRegister();
}

void gm_gdal_register(void)
{
    /* process-wide by nature: GDAL's driver manager is one per process */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_all);
}
