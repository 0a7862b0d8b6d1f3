package dev.flinkwatch.pipeline;

import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * Log lines about one monitor with {@code monitorId} and {@code tenantId} in the logging context
 * (MDC, log4j's ThreadContext: the cluster's JSON layout writes them under {@code labels}). The
 * context is set only around the line, not around every record processed: lines are rare, records
 * are 333k/s.
 */
public final class MonitorLog {
    public static final String MONITOR_ID = "monitorId";
    public static final String TENANT_ID = "tenantId";

    private MonitorLog() {}

    public static void info(
            Logger log, UUID monitorId, UUID tenantId, String format, Object... args) {
        if (log.isInfoEnabled()) {
            put(monitorId, tenantId);
            try {
                log.info(format, args);
            } finally {
                clear();
            }
        }
    }

    public static void warn(
            Logger log, UUID monitorId, UUID tenantId, String format, Object... args) {
        if (log.isWarnEnabled()) {
            put(monitorId, tenantId);
            try {
                log.warn(format, args);
            } finally {
                clear();
            }
        }
    }

    public static void error(
            Logger log, UUID monitorId, UUID tenantId, String format, Object... args) {
        put(monitorId, tenantId);
        try {
            log.error(format, args);
        } finally {
            clear();
        }
    }

    private static void put(UUID monitorId, UUID tenantId) {
        if (monitorId != null) {
            MDC.put(MONITOR_ID, monitorId.toString());
        }
        if (tenantId != null) {
            MDC.put(TENANT_ID, tenantId.toString());
        }
    }

    private static void clear() {
        MDC.remove(MONITOR_ID);
        MDC.remove(TENANT_ID);
    }
}
