package dev.ledger.config;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * HTTP latency as Prometheus histograms (http_server_requests_seconds_bucket), so that
 * percentiles can be aggregated across instances and time, which client-side percentiles cannot.
 * Quarkus tags each series with the route template (/accounts/{id}), never a raw path, so the
 * series stay few whatever the ids.
 */
public class MetricsConfig {

    private static final String HTTP_SERVER_REQUESTS = "http.server.requests";
    /** The range the targets live in (p99 of 20 ms) and the database timeout (15 s) bound. */
    private static final Duration HISTOGRAM_MIN = Duration.ofMillis(1);
    private static final Duration HISTOGRAM_MAX = Duration.ofSeconds(15);

    @Produces
    @Singleton
    MeterFilter httpLatencyHistograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals(HTTP_SERVER_REQUESTS)) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .percentilesHistogram(true)
                        .minimumExpectedValue((double) HISTOGRAM_MIN.toNanos())
                        .maximumExpectedValue((double) HISTOGRAM_MAX.toNanos())
                        .build().merge(config);
            }
        };
    }
}
