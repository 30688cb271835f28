package dev.ledger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written byte by byte on a socket. Client libraries refuse to send most hostile
 * requests (invalid UTF-8, a lying Content-Length, unknown methods, unnormalized paths, broken
 * chunks), so every hostile case goes out exactly as its table says.
 */
final class RawHttp {

    private static final int TIMEOUT_MILLIS = 10_000;

    private RawHttp() {
    }

    /** A request line, headers and body; Host, Content-Length and Connection: close are added unless set. */
    record Request(String method, String target, List<String[]> headers, byte[] body) {

        static Request of(String method, String target) {
            return new Request(method, target, List.of(), null);
        }

        Request header(String name, String value) {
            List<String[]> more = new ArrayList<>(headers);
            more.add(new String[] {name, value});
            return new Request(method, target, more, body);
        }

        Request json(String text) {
            return header("Content-Type", "application/json").body(text.getBytes(StandardCharsets.UTF_8));
        }

        Request body(byte[] bytes) {
            return new Request(method, target, headers, bytes);
        }

        private boolean has(String name) {
            return headers.stream().anyMatch(h -> h[0].equalsIgnoreCase(name));
        }

        byte[] bytes() {
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            if (!has("Host")) {
                head.append("Host: localhost\r\n");
            }
            if (body != null && !has("Content-Length") && !has("Transfer-Encoding")) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("Connection: close\r\n");
            headers.forEach(h -> head.append(h[0]).append(": ").append(h[1]).append("\r\n"));
            head.append("\r\n");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.writeBytes(body);
            }
            return out.toByteArray();
        }

        /** For failure messages: the request as sent, long or binary parts abbreviated. */
        @Override
        public String toString() {
            String text = new String(bytes(), StandardCharsets.ISO_8859_1);
            return text.length() <= 600 ? text : text.substring(0, 600) + "… (" + text.length() + " bytes)";
        }
    }

    record Response(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    static Response exchange(int port, Request request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.bytes());
                out.flush();
            } catch (IOException answeredEarly) {
                // The server may refuse an oversized body and close before reading all of it:
                // its answer is still there to read.
            }
            return read(socket.getInputStream(), request.method().equals("HEAD"));
        }
    }

    /**
     * The first response, as soon as it is complete: a server that refused a request early may
     * keep the connection open while the client is still due the rest of its body.
     */
    private static Response read(InputStream in, boolean head) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.write(buffer, 0, n);
                Response response = parse(received.toByteArray(), head, false);
                if (response != null) {
                    return response;
                }
            }
        } catch (IOException reset) {
            if (received.size() == 0) {
                throw reset;
            }
        }
        return parse(received.toByteArray(), head, true);
    }

    /** The response in {@code raw}, or null when more is due and {@code closed} is false. */
    private static Response parse(byte[] raw, boolean head, boolean closed) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            if (closed) {
                throw new AssertionError("no complete HTTP response, got: " + text);
            }
            return null;
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String body = head ? "" : text.substring(end + 4);
        String length = headers.get("content-length");
        boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
        if (!head && !closed && (chunked ? !body.endsWith("0\r\n\r\n")
                : length == null || body.length() < Integer.parseInt(length))) {
            return null;
        }
        if (chunked) {
            body = dechunk(body);
        } else if (length != null && !head) {
            body = body.substring(0, Math.min(body.length(), Integer.parseInt(length)));
        }
        return new Response(status, headers, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
