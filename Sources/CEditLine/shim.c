#include "shim.h"

#include <dlfcn.h>
#include <pthread.h>

static struct cedit_api api;
static int load_status = -1;

struct cedit_api *cedit_api_storage(void) { return &api; }

static void load_once(void) {
    /* Debian's soname first; the unversioned names for other systems. */
    static const char *const names[] = {"libedit.so.2", "libedit.so", "libedit.3.dylib", "libedit.dylib"};
    void *library = NULL;
    for (unsigned i = 0; i < sizeof names / sizeof names[0] && library == NULL; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (library == NULL) return;
#define CEDIT_RESOLVE(name)                         \
    *(void **)(&api.name) = dlsym(library, #name);  \
    if (api.name == NULL) return;
    CEDIT_RESOLVE(el_init)
    CEDIT_RESOLVE(el_end)
    CEDIT_RESOLVE(el_set)
    CEDIT_RESOLVE(el_get)
    CEDIT_RESOLVE(el_gets)
    CEDIT_RESOLVE(el_line)
    CEDIT_RESOLVE(el_insertstr)
    CEDIT_RESOLVE(el_source)
    CEDIT_RESOLVE(history_init)
    CEDIT_RESOLVE(history_end)
    CEDIT_RESOLVE(history)
#undef CEDIT_RESOLVE
    load_status = 0;
}

int cedit_load(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, load_once);
    return load_status;
}
