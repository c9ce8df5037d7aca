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
/* Refuses type names that are not SQL types (custom types are not
 * supported yet), with a did-you-mean. */
int analyze_check_type(const ast_type *t, err *e);
/* An AST type as an engine type, allocated in a (check it first). */
const sqltype *analyze_type(arena *a, const ast_type *t);

#endif
