package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path folder;

    @Test
    void aWriterThatFailsHalfWayLeavesThePreviousFileIntact() throws IOException {
        Path file = folder.resolve("model.safetensors");
        AtomicFiles.write(file, out -> out.write(new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> AtomicFiles.write(file, out -> {
            out.write(new byte[100_000]); // more than the buffer, so part of it reaches the temporary file
            throw new IOException("disk unplugged");
        })).isInstanceOf(IOException.class).hasMessage("disk unplugged");
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
        try (var files = Files.list(folder)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aStreamThatDiesMidWriteDuringSaveLeavesThePreviousModel() throws IOException {
        Path file = folder.resolve("model.safetensors");
        var before = ModelFileTest.sample(io.github.backprop4j.math.Precision.FLOAT64);
        ModelFile.save(before, file);
        byte[] good = ModelFileTest.bytesOf(before);
        assertThatThrownBy(() -> AtomicFiles.write(file, out -> {
            OutputStream dying = new OutputStream() {
                int written;

                @Override
                public void write(int b) throws IOException {
                    if (++written > good.length / 2) {
                        throw new IOException("killed");
                    }
                    out.write(b);
                }
            };
            dying.write(good);
        })).hasMessage("killed");
        assertThat(ModelFile.load(file)).isEqualTo(before);
    }

    @Test
    void createsNewFilesAndReplacesOldOnes() throws IOException {
        Path file = folder.resolve("a.bin");
        AtomicFiles.write(file, out -> out.write(7));
        AtomicFiles.write(file, out -> out.write(new byte[] {8, 9}));
        assertThat(Files.readAllBytes(file)).containsExactly(8, 9);
    }

    @Test
    void temporaryFilesOfKilledWritersAreDeletedByTheNextWrite() throws Exception {
        Path file = folder.resolve("checkpoint.safetensors");
        Process finished = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version").redirectErrorStream(true).start();
        finished.getInputStream().readAllBytes();
        finished.waitFor();
        long deadPid = finished.pid();
        Path killed = folder.resolve(".checkpoint.safetensors." + deadPid + "-1f2e3d.tmp");
        Path live = folder.resolve(".checkpoint.safetensors." + ProcessHandle.current().pid() + "-abc.tmp");
        Path oldForm = folder.resolve(".checkpoint.safetensors.9a8b7c6d5e4f.tmp");
        Path recentOldForm = folder.resolve(".checkpoint.safetensors.1234abcd.tmp");
        Path otherTarget = folder.resolve(".model.safetensors." + deadPid + "-1f2e3d.tmp");
        for (Path p : new Path[] {killed, live, oldForm, recentOldForm, otherTarget}) {
            Files.write(p, new byte[] {1});
        }
        Files.setLastModifiedTime(oldForm, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - 2 * 3_600_000L));
        AtomicFiles.write(file, out -> out.write(5));
        assertThat(killed).doesNotExist();
        assertThat(oldForm).doesNotExist();
        assertThat(live).exists();
        assertThat(recentOldForm).exists();
        assertThat(otherTarget).exists();
        assertThat(Files.readAllBytes(file)).containsExactly(5);
    }
}
