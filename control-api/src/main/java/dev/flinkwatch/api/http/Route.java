package dev.flinkwatch.api.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;

/**
 * One endpoint of the API: method, path template (Javalin syntax, {@code /v1/monitors/{id}}), who
 * may call it, and what it does.
 */
public record Route(HandlerType method, String path, Access access, Handler handler) {

    /** A route's work, given the authenticated caller. */
    @FunctionalInterface
    public interface Handler {
        void handle(Context ctx, Caller caller) throws Exception;
    }

    public static Route get(String path, Access access, Handler handler) {
        return new Route(HandlerType.GET, path, access, handler);
    }

    public static Route post(String path, Access access, Handler handler) {
        return new Route(HandlerType.POST, path, access, handler);
    }

    public static Route put(String path, Access access, Handler handler) {
        return new Route(HandlerType.PUT, path, access, handler);
    }

    public static Route delete(String path, Access access, Handler handler) {
        return new Route(HandlerType.DELETE, path, access, handler);
    }
}
