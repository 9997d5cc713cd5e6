package io.github.backprop4j.spark;

import io.github.backprop4j.math.Matrix;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;

/**
 * The tasks of one barrier stage joined in a ring, task {@code r} sending to {@code r+1} and receiving from
 * {@code r−1} (mod P), the tasks finding each other through the driver's {@link AddressBook}, and the all-reduce that sums a vector over them: a reduce-scatter with fixed chunk owners,
 * then an all-gather.
 *
 * <p><b>The sum.</b> The vector's {@code n} elements are cut into P chunks, chunk {@code c} holding elements
 * {@code ⌊c·n/P⌋ .. ⌊(c+1)·n/P⌋−1}. In step {@code s = 0..P−2} of the reduce-scatter task {@code r} sends its
 * partial sum of chunk {@code r−s} and adds the partial sum of chunk {@code r−s−1} it receives to its own
 * values; chunk {@code c} is therefore summed in the fixed order {@code v_c + v_{c+1} + … + v_{c−1}} (task
 * indices mod P) and ends complete on task {@code c−1}. The all-gather's P−1 steps then copy every complete
 * chunk, bit for bit, to every task: all replicas hold the same bits. A few doubles ride with chunk 0 (the
 * loss, sample counts), which is summed in the order of the tasks, {@code 0, 1, …, P−1}.
 *
 * <p><b>Cost.</b> Each task sends and receives {@code 2·(P−1)/P·n} elements per all-reduce, less than twice the
 * vector whatever P is, over its two neighbours only, in {@code 2·(P−1)} messages: the bandwidth term does not
 * grow with the number of executors, the latency term grows linearly (see docs/spark.md).
 *
 * <p><b>Failures.</b> Every socket operation has a deadline (the trainer's communication timeout) and waits in
 * slices of {@value #SLICE_MILLIS} ms, checking whether Spark killed the task; the channels are closed when the
 * task ends, however it ends ({@link #close} is called from a task-completion listener), so a peer blocked on
 * them fails at once instead of waiting for its deadline. A connection is accepted only from the previous task
 * of the same stage attempt: a handshake carries the stage, its attempt and the sender's index.
 */
final class Ring implements AutoCloseable {

    static final int SLICE_MILLIS = 200;
    private static final int MAGIC = 0x62703472; // "bp4r"

    private final BarrierTaskContext task;
    private final int rank;
    private final int size;
    private final long timeoutNanos;
    private final Selector selector;
    private final ServerSocketChannel server;
    private SocketChannel next;
    private SocketChannel previous;
    private ByteBuffer out = ByteBuffer.allocateDirect(0);
    private ByteBuffer in = ByteBuffer.allocateDirect(0);

    private Ring(BarrierTaskContext task, Duration timeout) throws IOException {
        this.task = task;
        this.rank = task.partitionId();
        this.size = task.getTaskInfos().length;
        this.timeoutNanos = timeout.toNanos();
        this.selector = size > 1 ? Selector.open() : null;
        this.server = size > 1 ? ServerSocketChannel.open() : null;
    }

    /**
     * Joins the ring of the calling barrier task: listens on a free port, exchanges {@code host:port} with the
     * other tasks through the driver's {@link AddressBook}, connects to the next task and accepts the previous one.
     * The ring is closed when the task completes.
     *
     * @param task the barrier task's context
     * @param timeout the deadline of each socket operation
     * @param book the address book's {@code host:port}
     * @param stage the driver's number of this stage within the run, which the book's groups are keyed by
     * @return the ring; of one task, it sends nothing
     * @throws IOException if a connection cannot be made in time
     */
    static Ring join(BarrierTaskContext task, Duration timeout, String book, int stage) throws IOException {
        Ring ring = new Ring(task, timeout);
        task.addTaskCompletionListener(new org.apache.spark.util.TaskCompletionListener() {
            @Override
            public void onTaskCompletion(org.apache.spark.TaskContext context) {
                ring.close();
            }
        });
        if (ring.size > 1) {
            ring.connect(book, stage);
        }
        return ring;
    }

    private static InetSocketAddress resolve(String hostAndPort, String whose) throws IOException {
        int colon = hostAndPort.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(hostAndPort.substring(0, colon),
                Integer.parseInt(hostAndPort.substring(colon + 1)));
        if (address.isUnresolved()) {
            throw new IOException("cannot resolve " + whose + "'s address " + hostAndPort);
        }
        return address;
    }

    /** Opens a channel to {@code address} and completes the connection before the deadline. */
    private SocketChannel open(InetSocketAddress address, long deadline, String what) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.socket().setTcpNoDelay(true);
        if (!channel.connect(address)) {
            while (!channel.finishConnect()) {
                await(channel, SelectionKey.OP_CONNECT, deadline, what);
            }
        }
        return channel;
    }

    private void writeFully(SocketChannel channel, ByteBuffer bytes, long deadline, String what) throws IOException {
        while (bytes.hasRemaining()) {
            if (channel.write(bytes) == 0) {
                await(channel, SelectionKey.OP_WRITE, deadline, what);
            }
        }
    }

    /** Registers with the address book and reads every task's address from its answer. */
    private String[] lookUp(String book, int stage, String mine, long deadline) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream request = new java.io.DataOutputStream(bytes);
        request.writeInt(stage);
        request.writeInt(task.stageAttemptNumber());
        request.writeInt(rank);
        request.writeInt(size);
        request.writeUTF(mine);
        request.flush();
        SocketChannel channel = open(resolve(book, "the driver's address book"), deadline,
                "connecting to the driver's address book at " + book);
        try {
            writeFully(channel, ByteBuffer.wrap(bytes.toByteArray()), deadline, "registering with the address book");
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            ByteBuffer chunk = ByteBuffer.allocate(4096);
            while (true) {
                int got = channel.read(chunk);
                if (got < 0) {
                    break;
                }
                if (got == 0) {
                    await(channel, SelectionKey.OP_READ, deadline, "waiting for the other tasks' addresses");
                    continue;
                }
                answer.write(chunk.array(), 0, chunk.position());
                chunk.clear();
            }
            java.io.DataInputStream in = new java.io.DataInputStream(
                    new java.io.ByteArrayInputStream(answer.toByteArray()));
            String[] addresses = new String[size];
            for (int i = 0; i < size; i++) {
                addresses[i] = in.readUTF();
            }
            return addresses;
        } finally {
            channel.close(); // also cancels its key
        }
    }

    private void connect(String book, int stage) throws IOException {
        server.bind(new InetSocketAddress(0));
        server.configureBlocking(false);
        String host = SparkEnv.get().blockManager().blockManagerId().host(); // where the other executors reach this one
        long deadline = System.nanoTime() + timeoutNanos;
        String[] addresses = lookUp(book, stage, host + ":" + server.socket().getLocalPort(), deadline);
        String target = addresses[(rank + 1) % size];
        next = open(resolve(target, "task " + (rank + 1) % size), deadline,
                "connecting to task " + (rank + 1) % size + " at " + target);
        ByteBuffer hello = ByteBuffer.allocate(16).putInt(MAGIC).putInt(stage).putInt(task.stageAttemptNumber())
                .putInt(rank).flip();
        writeFully(next, hello, deadline, "greeting task " + (rank + 1) % size);

        int expected = (rank + size - 1) % size;
        while (previous == null) {
            SocketChannel candidate = server.accept();
            if (candidate == null) {
                await(server, SelectionKey.OP_ACCEPT, deadline, "waiting for task " + expected + " to connect");
                continue;
            }
            candidate.configureBlocking(false);
            candidate.socket().setTcpNoDelay(true);
            ByteBuffer greeting = ByteBuffer.allocate(16);
            try {
                while (greeting.hasRemaining()) {
                    if (candidate.read(greeting) < 0) {
                        throw new IOException("closed before greeting");
                    }
                    if (greeting.hasRemaining()) {
                        await(candidate, SelectionKey.OP_READ, deadline, "reading the greeting of task " + expected);
                    }
                }
            } catch (IOException e) {
                candidate.close();
                continue;
            }
            greeting.flip();
            if (greeting.getInt() == MAGIC && greeting.getInt() == stage
                    && greeting.getInt() == task.stageAttemptNumber() && greeting.getInt() == expected) {
                previous = candidate;
            } else {
                candidate.close(); // a stale attempt's, or a stranger's
            }
        }
    }

    /** Waits until the channel is ready for {@code ops}, in slices, failing past the deadline or once killed. */
    private void await(SelectableChannel channel, int ops, long deadline, String what) throws IOException {
        SelectionKey key = channel.keyFor(selector);
        if (key == null) {
            key = channel.register(selector, ops);
        } else {
            key.interestOps(ops);
        }
        while (true) {
            task.killTaskIfInterrupted();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("task " + rank + " of " + size + ": timed out after "
                        + Duration.ofNanos(timeoutNanos).toMillis() + " ms " + what);
            }
            int ready = selector.select(Math.max(1, Math.min(SLICE_MILLIS, left / 1_000_000)));
            if (ready > 0) {
                selector.selectedKeys().clear();
                if ((key.readyOps() & ops) != 0) {
                    return;
                }
            }
        }
    }

    /**
     * Sends {@code send} to the next task while receiving as many bytes into {@code receive} from the previous
     * one, both at once (the ring would deadlock if every task wrote a message larger than the socket buffers
     * before reading).
     */
    private void exchange(ByteBuffer send, ByteBuffer receive, String what) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        SelectionKey writing = next.keyFor(selector);
        if (writing == null) {
            writing = next.register(selector, 0);
        }
        SelectionKey reading = previous.keyFor(selector);
        if (reading == null) {
            reading = previous.register(selector, 0);
        }
        while (send.hasRemaining() || receive.hasRemaining()) {
            boolean progress = false;
            if (send.hasRemaining()) {
                progress |= next.write(send) > 0;
            }
            if (receive.hasRemaining()) {
                int got = previous.read(receive);
                if (got < 0) {
                    throw new IOException("task " + rank + " of " + size + ": task " + (rank + size - 1) % size
                            + " closed the connection while " + what);
                }
                progress |= got > 0;
            }
            if (progress) {
                continue;
            }
            writing.interestOps(send.hasRemaining() ? SelectionKey.OP_WRITE : 0);
            reading.interestOps(receive.hasRemaining() ? SelectionKey.OP_READ : 0);
            task.killTaskIfInterrupted();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("task " + rank + " of " + size + ": timed out after "
                        + Duration.ofNanos(timeoutNanos).toMillis() + " ms " + what + " (sending to task "
                        + (rank + 1) % size + ", receiving from task " + (rank + size - 1) % size + ")");
            }
            selector.select(Math.max(1, Math.min(SLICE_MILLIS, left / 1_000_000)));
            selector.selectedKeys().clear();
        }
    }

    /**
     * Replaces {@code values} and {@code extra} on every task by their sums over the tasks, as the class
     * describes; the same bits on every task.
     *
     * @param values this task's vector
     * @param extra a few doubles summed in the order of the tasks, travelling with chunk 0
     * @throws IOException if a neighbour fails, closes its connection or is slower than the timeout
     */
    void sum(Values values, double[] extra) throws IOException {
        if (size == 1) {
            return;
        }
        int n = values.length();
        int largest = 0;
        for (int c = 0; c < size; c++) {
            largest = Math.max(largest, start(c + 1, n) - start(c, n));
        }
        int capacity = largest * values.bytesPerElement() + extra.length * Double.BYTES;
        if (out.capacity() < capacity) {
            out = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
            in = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        }
        for (int s = 0; s < size - 1; s++) { // reduce-scatter
            int sent = Math.floorMod(rank - s, size);
            int received = Math.floorMod(rank - s - 1, size);
            swap(values, extra, sent, received, n, "summing (step " + (s + 1) + " of " + (size - 1) + ")");
            in.flip();
            values.add(in, start(received, n), start(received + 1, n));
            if (received == 0) {
                for (int i = 0; i < extra.length; i++) {
                    extra[i] = in.getDouble() + extra[i];
                }
            }
        }
        for (int s = 0; s < size - 1; s++) { // all-gather
            int sent = Math.floorMod(rank + 1 - s, size);
            int received = Math.floorMod(rank - s, size);
            swap(values, extra, sent, received, n, "sharing the sums (step " + (s + 1) + " of " + (size - 1) + ")");
            in.flip();
            values.set(in, start(received, n), start(received + 1, n));
            if (received == 0) {
                for (int i = 0; i < extra.length; i++) {
                    extra[i] = in.getDouble();
                }
            }
        }
    }

    private void swap(Values values, double[] extra, int sent, int received, int n, String what) throws IOException {
        out.clear();
        values.put(out, start(sent, n), start(sent + 1, n));
        if (sent == 0) {
            for (double e : extra) {
                out.putDouble(e);
            }
        }
        out.flip();
        in.clear();
        in.limit((start(received + 1, n) - start(received, n)) * values.bytesPerElement()
                + (received == 0 ? extra.length * Double.BYTES : 0));
        exchange(out, in, what);
    }

    private int start(int chunk, int n) {
        return (int) ((long) n * chunk / size);
    }

    /** Closes the connections; called when the task ends, however it ends. Idempotent. */
    @Override
    public void close() {
        closeQuietly(next);
        closeQuietly(previous);
        closeQuietly(server);
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing: nothing to do
            }
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing: nothing to do
            }
        }
    }

    /** The vector an all-reduce sums: the network's floats or doubles, in one flat array. */
    abstract static sealed class Values permits Floats, Doubles {
        abstract int length();

        abstract int bytesPerElement();

        /** Writes elements {@code from..to−1}. */
        abstract void put(ByteBuffer buffer, int from, int to);

        /** {@code vᵢ = received + vᵢ} for {@code i = from..to−1}, in the vector's precision. */
        abstract void add(ByteBuffer buffer, int from, int to);

        /** {@code vᵢ = received} for {@code i = from..to−1}. */
        abstract void set(ByteBuffer buffer, int from, int to);

        /** Copies the matrices, in order and row-major, into the vector from element {@code offset}. */
        abstract int gather(java.util.List<Matrix> matrices, int offset);

        /** Copies the vector from element {@code offset} back into the matrices, in the same layout. */
        abstract int scatter(java.util.List<Matrix> matrices, int offset);

        static Values of(io.github.backprop4j.math.Precision precision, int n) {
            return precision == io.github.backprop4j.math.Precision.FLOAT32 ? new Floats(n) : new Doubles(n);
        }
    }

    /** A float32 network's vector: float32 on the wire. */
    static final class Floats extends Values {
        final float[] v;

        Floats(int n) {
            v = new float[n];
        }

        @Override
        int length() {
            return v.length;
        }

        @Override
        int bytesPerElement() {
            return Float.BYTES;
        }

        @Override
        int gather(java.util.List<Matrix> matrices, int offset) {
            for (Matrix m : matrices) {
                m.copyTo(v, offset);
                offset += m.rows() * m.cols();
            }
            return offset;
        }

        @Override
        int scatter(java.util.List<Matrix> matrices, int offset) {
            for (Matrix m : matrices) {
                m.copyFrom(v, offset);
                offset += m.rows() * m.cols();
            }
            return offset;
        }

        @Override
        void put(ByteBuffer buffer, int from, int to) {
            buffer.asFloatBuffer().put(v, from, to - from);
            buffer.position(buffer.position() + (to - from) * Float.BYTES);
        }

        @Override
        void add(ByteBuffer buffer, int from, int to) {
            for (int i = from; i < to; i++) {
                v[i] = buffer.getFloat() + v[i];
            }
        }

        @Override
        void set(ByteBuffer buffer, int from, int to) {
            buffer.asFloatBuffer().get(v, from, to - from);
            buffer.position(buffer.position() + (to - from) * Float.BYTES);
        }
    }

    /** A float64 network's vector. */
    static final class Doubles extends Values {
        final double[] v;

        Doubles(int n) {
            v = new double[n];
        }

        @Override
        int length() {
            return v.length;
        }

        @Override
        int bytesPerElement() {
            return Double.BYTES;
        }

        @Override
        int gather(java.util.List<Matrix> matrices, int offset) {
            for (Matrix m : matrices) {
                m.copyTo(v, offset);
                offset += m.rows() * m.cols();
            }
            return offset;
        }

        @Override
        int scatter(java.util.List<Matrix> matrices, int offset) {
            for (Matrix m : matrices) {
                m.copyFrom(v, offset);
                offset += m.rows() * m.cols();
            }
            return offset;
        }

        @Override
        void put(ByteBuffer buffer, int from, int to) {
            buffer.asDoubleBuffer().put(v, from, to - from);
            buffer.position(buffer.position() + (to - from) * Double.BYTES);
        }

        @Override
        void add(ByteBuffer buffer, int from, int to) {
            for (int i = from; i < to; i++) {
                v[i] = buffer.getDouble() + v[i];
            }
        }

        @Override
        void set(ByteBuffer buffer, int from, int to) {
            buffer.asDoubleBuffer().get(v, from, to - from);
            buffer.position(buffer.position() + (to - from) * Double.BYTES);
        }
    }
}
