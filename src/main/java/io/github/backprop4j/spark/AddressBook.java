package io.github.backprop4j.spark;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the tasks of a barrier stage find each other: a small server on the driver, open for one
 * {@link SparkTrainer#fit}, to which each task sends its stage, attempt, index and {@code host:port}, and which
 * answers every task of a stage attempt with all of their addresses once the last has arrived. Only addresses pass
 * through it, never gradients.
 *
 * <p>Why not {@code BarrierTaskContext.allGather}: in Spark 4.0 it polls its answer with {@code Thread.sleep(1000)},
 * so each stage would pay about a second (measured: 1 s per stage, 30 ms per step of a 32-step epoch).
 */
final class AddressBook implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AddressBook.class);
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private final ServerSocket server;
    private final String address;
    private final Thread acceptor;
    private final Map<String, Group> groups = new HashMap<>();

    /** The tasks of one stage attempt that have registered so far, waiting for their answer. */
    private static final class Group {
        final String[] addresses;
        final List<Socket> waiting = new ArrayList<>();
        int registered;

        Group(int size) {
            addresses = new String[size];
        }
    }

    /**
     * Opens the book on a free port.
     *
     * @param host the driver's host name as the executors reach it ({@code spark.driver.host})
     * @throws IOException if no port can be opened
     */
    AddressBook(String host) throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(0));
        address = host + ":" + server.getLocalPort();
        acceptor = new Thread(this::serve, "backprop4j-address-book");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Returns {@code host:port}, for the tasks. */
    String address() {
        return address;
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                try {
                    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    int stage = in.readInt();
                    int attempt = in.readInt();
                    int rank = in.readInt();
                    int size = in.readInt();
                    String at = in.readUTF();
                    Group group = groups.computeIfAbsent(stage + "." + attempt, k -> new Group(size));
                    if (rank < 0 || rank >= group.addresses.length || group.addresses[rank] != null) {
                        socket.close();
                        continue;
                    }
                    group.addresses[rank] = at;
                    group.waiting.add(socket);
                    if (++group.registered == group.addresses.length) {
                        groups.remove(stage + "." + attempt);
                        for (Socket s : group.waiting) {
                            try (s) {
                                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                                for (String a : group.addresses) {
                                    out.writeUTF(a);
                                }
                                out.flush();
                            } catch (IOException e) {
                                LOG.debug("a task of stage {} left before its answer: {}", stage, e.toString());
                            }
                        }
                    }
                } catch (IOException e) {
                    socket.close();
                }
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.debug("address book: {}", e.toString());
                }
            }
        }
    }

    /** Closes the server and every connection still waiting. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Group g : groups.values()) {
            for (Socket s : g.waiting) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing: nothing to do
                }
            }
        }
    }
}
