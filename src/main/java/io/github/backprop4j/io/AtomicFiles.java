package io.github.backprop4j.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces files atomically: the content goes to a temporary file in the same folder, is flushed and
 * synced to the device, and is then moved over the target in one step. A writer that fails, or a process
 * killed part-way, leaves the previous file as it was.
 *
 * <p>A process killed part-way also leaves its temporary file, {@code .<name>.<pid>-<random>.tmp}. Each
 * successful write deletes the temporary files of the same target whose process ({@code pid}) is no longer
 * alive, and those of the older form {@code .<name>.<random>.tmp} (written before the pid was part of the
 * name) that have not changed for an hour, so that leftovers of killed runs do not pile up.
 *
 * <p>Model files, checkpoints, bundles and ONNX exports are all saved through it.
 */
public final class AtomicFiles {

    /** Writes content to a stream. */
    @FunctionalInterface
    public interface Writer {
        /**
         * Writes the whole content.
         *
         * @param out the stream, which must not be closed
         * @throws IOException if writing fails
         */
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes a file atomically.
     *
     * @param target the file to create or replace
     * @param writer writes the whole content; the stream must not be closed by it
     * @throws IOException if writing or moving fails; the target is then unchanged
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        Path temporary = createTemporary(folder, absolute.getFileName().toString());
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                writer.writeTo(out);
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // Some file systems cannot rename atomically; a plain replace is the best they offer.
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            syncFolder(folder);
            deleteLeftovers(folder, absolute.getFileName().toString());
        } finally {
            if (!moved) {
                Files.deleteIfExists(temporary);
            }
        }
    }

    /**
     * Creates an empty temporary file beside the target. Unlike {@link Files#createTempFile} this keeps the
     * default permissions (the umask's), so the final file is as readable as any other the user creates.
     */
    private static Path createTemporary(Path folder, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = folder.resolve("." + name + "." + ProcessHandle.current().pid() + "-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    /**
     * Deletes the temporary files of {@code name} left by processes that died while writing, and those of the
     * older naming that are an hour old; never one of a live process. Failures are ignored: this is tidying.
     */
    private static void deleteLeftovers(Path folder, String name) {
        String prefix = "." + name + ".";
        long ownPid = ProcessHandle.current().pid();
        long hourAgo = System.currentTimeMillis() - 3_600_000L;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, glob(prefix) + "*.tmp")) {
            for (Path entry : entries) {
                String middle = entry.getFileName().toString();
                middle = middle.substring(prefix.length(), middle.length() - ".tmp".length());
                Matcher withPid = WITH_PID.matcher(middle);
                boolean leftover;
                if (withPid.matches()) {
                    long pid = Long.parseLong(withPid.group(1));
                    leftover = pid != ownPid && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
                } else {
                    leftover = OLD_FORM.matcher(middle).matches()
                            && Files.getLastModifiedTime(entry).toMillis() < hourAgo;
                }
                if (leftover) {
                    Files.deleteIfExists(entry);
                }
            }
        } catch (IOException | RuntimeException tidyingFailed) {
            // A leftover that cannot be listed or deleted now is tried again on the next write.
        }
    }

    private static final Pattern WITH_PID = Pattern.compile("([0-9]{1,19})-[0-9a-f]{1,16}");
    private static final Pattern OLD_FORM = Pattern.compile("[0-9a-f]{1,16}");

    /** Quotes a file name for a glob pattern. */
    private static String glob(String literal) {
        return literal.replaceAll("([\\\\*?\\[\\]{},])", "\\\\$1");
    }

    /** Makes the rename durable where the platform allows syncing a folder (not on Windows). */
    private static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // The file itself is synced; only the rename's durability depends on the platform here.
        }
    }
}
