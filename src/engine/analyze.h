/* analyze — from syntax to plan: names, types, implicit casts and the
 * ksqlDB rules for what a query may contain.
 *
 * Reads the AST (borrowed) and the catalog (borrowed, under the engine
 * lock); the plan it returns owns copies of everything it needs, so it
 * stays valid after the statement's arena and even the source are gone.
 * Errors carry the span of the offending node and, where one is close, a
 * "did you mean" hint.
 */
#ifndef EDDY_ANALYZE_H
#define EDDY_ANALYZE_H

#include "../parser/ast.h"
#include "catalog.h"
#include "plan.h"

/* Compiles a SELECT over one source into a plan (no sink set). */
plan *analyze_query(const catalog *c, const ast_query *q, err *e);
/* The same for the query of CREATE ... AS SELECT creating `sink` (named
 * in errors about what the result must contain). */
plan *analyze_query_for(const catalog *c, const ast_query *q, const char *sink, err *e);
/* Evaluates a constant expression (INSERT ... VALUES) and converts it to
 * type t with ksqlDB's implicit casts.  Strings are copied into a. */
int analyze_constant(const ast_expr *x, const sqltype *t, const char *column, arena *a,
                     value *out, err *e);
/* Refuses type names that are neither SQL types nor custom types of c
 * (c may be NULL: no custom types), with a did-you-mean. */
int analyze_check_type(const catalog *c, const ast_type *t, err *e);
/* Whether name is a built-in type's (INT, STRING, ARRAY, ...), which no
 * custom type may take. */
bool analyze_builtin_type_name(const char *name);
/* An AST type as an engine type, allocated in a (check it first); a
 * custom type is copied into a. */
const sqltype *analyze_type(arena *a, const catalog *c, const ast_type *t);

#endif
