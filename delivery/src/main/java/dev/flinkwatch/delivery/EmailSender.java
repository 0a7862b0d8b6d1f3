package dev.flinkwatch.delivery;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.util.MailConnectException;

/**
 * Sends one email attempt (multipart/alternative, text and HTML) through the configured SMTP
 * server. jakarta.mail blocks, so sending runs on a few threads of its own behind a bounded queue:
 * never on the dispatcher's or the HTTP client's threads. Result messages name the SMTP reply code
 * only, never a recipient (recipients are channel secrets).
 */
final class EmailSender implements AutoCloseable {
    private static final int QUEUE = 256;

    /** What the renderer stored for an email: subject, text and HTML parts. */
    record Envelope(String subject, String text, String html) {}

    private final SmtpConfig smtp;
    private final Session session;
    private final ThreadPoolExecutor executor;

    EmailSender(SmtpConfig smtp) {
        this.smtp = smtp;
        this.session = Session.getInstance(properties(smtp));
        this.executor =
                new ThreadPoolExecutor(
                        smtp.threads(),
                        smtp.threads(),
                        0,
                        TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(QUEUE),
                        Dispatcher.daemon("delivery-smtp"));
    }

    private static Properties properties(SmtpConfig smtp) {
        Properties p = new Properties();
        p.put("mail.smtp.host", smtp.host());
        p.put("mail.smtp.port", Integer.toString(smtp.port()));
        p.put("mail.smtp.from", smtp.from());
        p.put("mail.smtp.connectiontimeout", Long.toString(smtp.connectTimeout().toMillis()));
        p.put("mail.smtp.timeout", Long.toString(smtp.timeout().toMillis()));
        p.put("mail.smtp.writetimeout", Long.toString(smtp.timeout().toMillis()));
        p.put("mail.smtp.auth", Boolean.toString(!smtp.username().isEmpty()));
        switch (smtp.security()) {
            case STARTTLS -> {
                p.put("mail.smtp.starttls.enable", "true");
                // Required, not opportunistic: a stripped STARTTLS must not send in clear.
                p.put("mail.smtp.starttls.required", "true");
                p.put("mail.smtp.ssl.checkserveridentity", "true");
            }
            case TLS -> {
                p.put("mail.smtp.ssl.enable", "true");
                p.put("mail.smtp.ssl.checkserveridentity", "true");
            }
            case NONE -> {}
        }
        return p;
    }

    CompletableFuture<AttemptResult> send(List<String> to, Envelope envelope, String messageId) {
        if (!smtp.configured()) {
            return done(
                    AttemptResult.failed(
                            DeliveryError.INVALID_SETTINGS, "no SMTP server is configured"));
        }
        if (to == null || to.isEmpty()) {
            return done(AttemptResult.failed(DeliveryError.INVALID_SETTINGS, "no recipients"));
        }
        InternetAddress[] recipients = new InternetAddress[to.size()];
        for (int i = 0; i < to.size(); i++) {
            try {
                recipients[i] = new InternetAddress(to.get(i), true);
            } catch (AddressException e) {
                return done(
                        AttemptResult.failed(
                                DeliveryError.INVALID_SETTINGS,
                                "recipient " + (i + 1) + " is not a valid address"));
            }
        }
        try {
            return CompletableFuture.supplyAsync(
                    () -> deliver(recipients, envelope, messageId), executor);
        } catch (RejectedExecutionException e) {
            return done(AttemptResult.failed(DeliveryError.SMTP_TRANSIENT, "email queue is full"));
        }
    }

    private AttemptResult deliver(InternetAddress[] to, Envelope envelope, String messageId) {
        try {
            MimeMessage message = new StableIdMessage(session, messageId);
            message.setFrom(new InternetAddress(smtp.from(), true));
            message.setRecipients(Message.RecipientType.TO, to);
            message.setSubject(envelope.subject(), "UTF-8");
            message.setSentDate(new Date());
            MimeBodyPart text = new MimeBodyPart();
            text.setText(envelope.text(), "UTF-8", "plain");
            MimeBodyPart html = new MimeBodyPart();
            html.setText(envelope.html(), "UTF-8", "html");
            // Least preferred first (RFC 2046): clients that render HTML show the HTML part.
            MimeMultipart alternative = new MimeMultipart("alternative");
            alternative.addBodyPart(text);
            alternative.addBodyPart(html);
            message.setContent(alternative);
            if (smtp.username().isEmpty()) {
                Transport.send(message);
            } else {
                Transport.send(message, smtp.username(), smtp.password());
            }
            return AttemptResult.ok(250);
        } catch (MessagingException | RuntimeException e) {
            return classify(e);
        }
    }

    /** SMTP 4xx retried, 5xx final; no connection or a timeout retried. */
    static AttemptResult classify(Exception e) {
        Integer code = replyCode(e);
        if (code != null) {
            boolean transient4xx = code >= 400 && code < 500;
            return new AttemptResult(
                    null,
                    transient4xx ? DeliveryError.SMTP_TRANSIENT : DeliveryError.SMTP_REJECTED,
                    "SMTP " + code,
                    null);
        }
        if (e instanceof AuthenticationFailedException) {
            // The operator's credentials: retried, so fixing them within the window delivers.
            return AttemptResult.failed(DeliveryError.SMTP_TRANSIENT, "SMTP authentication failed");
        }
        int depth = 0;
        for (Throwable c = e; c != null; c = next(c, ++depth)) {
            if (c instanceof SocketTimeoutException) {
                return AttemptResult.failed(
                        DeliveryError.TIMEOUT, "SMTP server: no answer in time");
            }
            if (c instanceof MailConnectException
                    || c instanceof ConnectException
                    || c instanceof UnknownHostException) {
                return AttemptResult.failed(
                        DeliveryError.CONNECTION_ERROR, "cannot connect to the SMTP server");
            }
        }
        return AttemptResult.failed(DeliveryError.SMTP_TRANSIENT, e.getClass().getSimpleName());
    }

    /**
     * The SMTP reply code of a refusal: a 4xx anywhere wins (the message can go later); else the
     * first 5xx.
     */
    private static Integer replyCode(Throwable e) {
        Integer first = null;
        int depth = 0;
        for (Throwable c = e; c != null; c = next(c, ++depth)) {
            int code = -1;
            if (c instanceof SMTPSendFailedException f) {
                code = f.getReturnCode();
            } else if (c instanceof SMTPAddressFailedException f) {
                code = f.getReturnCode();
            } else if (c instanceof SMTPSenderFailedException f) {
                code = f.getReturnCode();
            }
            if (code >= 400 && code < 500) {
                return code;
            }
            if (code >= 500 && first == null) {
                first = code;
            }
        }
        return first;
    }

    /** The next exception of a chain, bounded (a chain may loop). */
    private static Throwable next(Throwable t, int depth) {
        if (depth > 16) {
            return null;
        }
        if (t instanceof MessagingException m && m.getNextException() != null) {
            return m.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }

    private static CompletableFuture<AttemptResult> done(AttemptResult result) {
        return CompletableFuture.completedFuture(result);
    }

    /** The same Message-ID on every attempt of an alert, so a receiver can spot a retry. */
    private static final class StableIdMessage extends MimeMessage {
        private final String messageId;

        StableIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader(
                    "Message-ID",
                    "<" + messageId.replaceAll("[^A-Za-z0-9._-]", "") + "@flinkwatch>");
        }
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
    }
}
