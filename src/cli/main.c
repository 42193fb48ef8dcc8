/* SPDX-License-Identifier: MIT */
/* leefbaar: command-line entry point. */
#include <leefbaar/leefbaar.h>

#include <stdio.h>

int main(void)
{
    printf("leefbaar %s\n", lb_version());
    return 0;
}
