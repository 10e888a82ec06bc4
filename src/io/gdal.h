/*
 * gdal.h -- GDAL's drivers registered once per process. GDALAllRegister()
 * is not safe to call from two threads at once (GDAL 3.6 rewrites the driver
 * manager's strings on every call: ThreadSanitizer saw the GeoPackage writer
 * thread and the main thread race there), so every part of greenmine
 * registers through this, which runs it exactly once.
 */
#ifndef GM_IO_GDAL_H
#define GM_IO_GDAL_H

void gm_gdal_register(void);

#endif
