/* blockstore — symbol visibility.
 *
 * The shared library hides every symbol by default; the public C and C++ entry points are
 * marked with BS_API. Usable from C99 and C++. */
#ifndef BLOCKSTORE_EXPORT_H
#define BLOCKSTORE_EXPORT_H

#if defined(BS_STATIC)
#define BS_API
#elif defined(_WIN32)
#if defined(BS_BUILDING)
#define BS_API __declspec(dllexport)
#else
#define BS_API __declspec(dllimport)
#endif
#else
#define BS_API __attribute__((visibility("default")))
#endif

#endif /* BLOCKSTORE_EXPORT_H */
