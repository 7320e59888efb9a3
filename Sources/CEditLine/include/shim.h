#ifndef CEDITLINE_SHIM_H
#define CEDITLINE_SHIM_H
/*
 * libedit for Swift. el_set, el_get and history are C variadic functions, which Swift
 * cannot call, so each operation we use gets a fixed-arity inline wrapper here.
 * (Verified on Debian 12, libedit 3.1-20221030; docs/program.md, "The prompt".)
 *
 * libedit is loaded with dlopen when the prompt opens, not linked: a script or one-shot
 * run never reads a line, and loading libedit with libtinfo, libbsd and libmd cost every
 * start (docs/performance.md, "Fifth round"). histedit.h gives the types and constants only;
 * the calls go through the pointers shim.c resolves.
 */
#include <stdio.h>
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <histedit.h>

typedef char *(*cedit_prompt_fn)(EditLine *);
typedef unsigned char (*cedit_cmd_fn)(EditLine *, int);

/* The libedit functions we call, resolved by cedit_load. */
struct cedit_api {
    EditLine *(*el_init)(const char *, FILE *, FILE *, FILE *);
    void (*el_end)(EditLine *);
    int (*el_set)(EditLine *, int, ...);
    int (*el_get)(EditLine *, int, ...);
    const char *(*el_gets)(EditLine *, int *);
    const LineInfo *(*el_line)(EditLine *);
    int (*el_insertstr)(EditLine *, const char *);
    int (*el_source)(EditLine *, const char *);
    History *(*history_init)(void);
    void (*history_end)(History *);
    int (*history)(History *, HistEvent *, int, ...);
};

/* The loaded functions (shim.c); valid after cedit_load returned 0. */
struct cedit_api *cedit_api_storage(void);
/* Loads libedit once, thread-safely; 0 when every function was found, else -1 (no line
 * editing then: the caller reads plain lines). */
int cedit_load(void);

/* stdin/stdout/stderr are mutable C globals that Swift 6 mode will not touch. */
static inline FILE *cedit_stdin(void) { return stdin; }
static inline FILE *cedit_stdout(void) { return stdout; }
static inline FILE *cedit_stderr(void) { return stderr; }

/* Everything below needs a successful cedit_load first. */
static inline EditLine *cedit_init(const char *program, FILE *in, FILE *out, FILE *err) {
    return cedit_api_storage()->el_init(program, in, out, err);
}
static inline void cedit_end(EditLine *el) { cedit_api_storage()->el_end(el); }
static inline const char *cedit_gets(EditLine *el, int *count) { return cedit_api_storage()->el_gets(el, count); }
static inline const LineInfo *cedit_line(EditLine *el) { return cedit_api_storage()->el_line(el); }
static inline int cedit_insertstr(EditLine *el, const char *text) { return cedit_api_storage()->el_insertstr(el, text); }
static inline int cedit_source(EditLine *el, const char *file) { return cedit_api_storage()->el_source(el, file); }

static inline int cedit_set_prompt_esc(EditLine *el, cedit_prompt_fn fn, char esc) {
    return cedit_api_storage()->el_set(el, EL_PROMPT_ESC, fn, esc);
}
static inline int cedit_set_editor(EditLine *el, const char *mode) {
    return cedit_api_storage()->el_set(el, EL_EDITOR, mode);
}
static inline int cedit_set_signal(EditLine *el, int on) { return cedit_api_storage()->el_set(el, EL_SIGNAL, on); }
static inline int cedit_set_clientdata(EditLine *el, void *data) {
    return cedit_api_storage()->el_set(el, EL_CLIENTDATA, data);
}
static inline void *cedit_get_clientdata(EditLine *el) {
    void *data = NULL;
    if (cedit_api_storage()->el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}
static inline int cedit_addfn(EditLine *el, const char *name, const char *help, cedit_cmd_fn fn) {
    return cedit_api_storage()->el_set(el, EL_ADDFN, name, help, fn);
}
static inline int cedit_bind(EditLine *el, const char *key, const char *command) {
    return cedit_api_storage()->el_set(el, EL_BIND, key, command, (const char *)NULL);
}
/* libedit calls the history function it is given; it is the loaded one. */
static inline int cedit_set_history(EditLine *el, History *h) {
    return cedit_api_storage()->el_set(el, EL_HIST, cedit_api_storage()->history, h);
}

static inline History *cedit_history_init(void) { return cedit_api_storage()->history_init(); }
static inline void cedit_history_end(History *h) { cedit_api_storage()->history_end(h); }
static inline int cedit_hist_setsize(History *h, int n) {
    HistEvent ev;
    return cedit_api_storage()->history(h, &ev, H_SETSIZE, n);
}
static inline int cedit_hist_setunique(History *h, int on) {
    HistEvent ev;
    return cedit_api_storage()->history(h, &ev, H_SETUNIQUE, on);
}
static inline int cedit_hist_enter(History *h, const char *line) {
    HistEvent ev;
    return cedit_api_storage()->history(h, &ev, H_ENTER, line);
}
static inline int cedit_hist_clear(History *h) {
    HistEvent ev;
    return cedit_api_storage()->history(h, &ev, H_CLEAR);
}

#endif
