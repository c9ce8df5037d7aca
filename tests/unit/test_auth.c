/* test_auth — --auth files and the credentials checked against them:
 * Authorization headers (Basic, Bearer) and PostgreSQL passwords. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/auth.h"

/* Writes text to a fresh temporary file and returns "scheme:PATH". */
static char *auth_file(const char *scheme, const char *text, char *spec, size_t cap)
{
    char path[] = "/tmp/eddy-test-auth-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    snprintf(spec, cap, "%s:%s", scheme, path);
    return spec;
}

static auth *load(const char *scheme, const char *text)
{
    char spec[128], msg[256];
    auth *a = auth_load(auth_file(scheme, text, spec, sizeof spec), msg, sizeof msg);
    unlink(spec + strlen(scheme) + 1);
    return a;
}

static void test_auth_basic_accepts_listed_users_only(void **state)
{
    auth *a = load("basic", "# users\nalice:s3cret\r\n\nbob:pa:ss\n");
    assert_non_null(a);
    assert_true(auth_check_header(a, "Basic YWxpY2U6czNjcmV0"));      /* alice:s3cret */
    assert_true(auth_check_header(a, "basic   YWxpY2U6czNjcmV0  "));  /* scheme case, spaces */
    assert_true(auth_check_header(a, "Basic Ym9iOnBhOnNz"));          /* bob:pa:ss */
    assert_false(auth_check_header(a, "Basic YWxpY2U6czNjcmV"));      /* alice:s3cre */
    assert_false(auth_check_header(a, "Basic YWxpY2U6czNjcmV0eA==")); /* alice:s3cretx */
    assert_false(auth_check_header(a, "Bearer YWxpY2U6czNjcmV0"));
    assert_false(auth_check_header(a, "Basic !!!!"));
    assert_false(auth_check_header(a, "Basic"));
    assert_false(auth_check_header(a, ""));
    assert_false(auth_check_header(a, NULL));
    assert_true(auth_check_password(a, "alice", "s3cret"));
    assert_true(auth_check_password(a, "bob", "pa:ss"));
    assert_false(auth_check_password(a, "alice", "pa:ss"));
    assert_false(auth_check_password(a, "bob:pa", "ss")); /* a user name holds no ':' */
    assert_false(auth_check_password(a, "", ""));
    assert_string_equal(auth_challenge(a), "Basic realm=\"eddy\"");
    auth_free(a);
}

static void test_auth_token_accepts_listed_tokens_only(void **state)
{
    auth *a = load("token", "tok-1\ntok-2\r\n");
    assert_non_null(a);
    assert_true(auth_check_header(a, "Bearer tok-1"));
    assert_true(auth_check_header(a, "Bearer tok-2"));
    assert_false(auth_check_header(a, "Bearer tok-"));
    assert_false(auth_check_header(a, "Bearer tok-12"));
    assert_false(auth_check_header(a, "Basic dG9rLTE6dG9rLTE="));
    assert_true(auth_check_password(a, "anyone", "tok-1"));
    assert_false(auth_check_password(a, "tok-1", "x"));
    assert_string_equal(auth_challenge(a), "Bearer realm=\"eddy\"");
    auth_free(a);
}

static void test_auth_load_refuses_bad_specs_and_files(void **state)
{
    char msg[256];
    assert_null(auth_load("ldap:/etc/passwd", msg, sizeof msg));
    assert_non_null(strstr(msg, "basic:FILE or token:FILE"));
    assert_null(auth_load("basic:/nonexistent/eddy-users", msg, sizeof msg));
    assert_non_null(strstr(msg, "cannot read"));
    assert_null(load("basic", "# nobody\n\n"));
    assert_null(load("token", ""));
    assert_null(load("basic", "alice\n"));
    assert_null(load("basic", ":nouser\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth_basic_accepts_listed_users_only),
        cmocka_unit_test(test_auth_token_accepts_listed_tokens_only),
        cmocka_unit_test(test_auth_load_refuses_bad_specs_and_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
