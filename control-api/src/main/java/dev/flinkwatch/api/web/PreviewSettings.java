package dev.flinkwatch.api.web;

import dev.flinkwatch.fetch.FetchConfig;
import dev.flinkwatch.render.RenderConfig;
import java.time.Duration;

/**
 * How the web app's preview fetches and reads a page: the pipeline's fetch settings (SSRF guard,
 * politeness, limits) and its extraction settings, so a preview sees what a check would.
 *
 * @param fetch the fetch stage's settings
 * @param maxExtractedChars the change stage's cap of the text taken from one page
 * @param patternBudget the change stage's pattern budget of one check
 * @param render the pipeline's browser renderer settings, for sources with render=browser
 */
public record PreviewSettings(
        FetchConfig fetch, int maxExtractedChars, Duration patternBudget, RenderConfig render) {}
