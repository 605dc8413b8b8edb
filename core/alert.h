/*
 * alert.h - running the operator's alert command (alerts.command).
 */
#ifndef APEX_ALERT_H
#define APEX_ALERT_H

#include "config.h"

/*
 * Runs alerts.command through /bin/sh with APEX_ALERT_KIND,
 * APEX_ALERT_TENANT and APEX_ALERT_MESSAGE in its environment, and waits
 * for it at most 10 seconds before killing it.  Does nothing when no command
 * is configured.  Returns 0 when the command ran and exited with 0.
 */
int alert_send(const apex_config *cfg, const char *kind, const char *tenant, const char *message);

#endif
