package io.github.backprop4j.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a training report in headless Chromium: its console must stay silent (the page's Content-Security-Policy
 * makes the browser log every load it refuses) and its screenshot must show the curves. Runs when the environment
 * variable {@code BACKPROP4J_CHROMIUM} names a Chromium executable, as {@code .ci/run} sets it after installing
 * Debian's {@code chromium}.
 */
@EnabledIfEnvironmentVariable(named = "BACKPROP4J_CHROMIUM", matches = ".+")
class BrowserReportTest {

    private static final int WIDTH = 1280;
    private static final int HEIGHT = 2400;

    /** What Chromium printed on stderr, and its screenshot. */
    private record Run(List<String> console, BufferedImage screenshot, String log) {
    }

    private static Run open(Path page, Path dir) throws IOException, InterruptedException {
        Path shot = dir.resolve(page.getFileName() + ".png");
        Path log = dir.resolve(page.getFileName() + ".log");
        List<String> command = List.of(System.getenv("BACKPROP4J_CHROMIUM"), "--headless", "--no-sandbox",
                "--disable-gpu", "--hide-scrollbars", "--user-data-dir=" + Files.createTempDirectory(dir, "profile"),
                "--enable-logging=stderr", "--v=0", "--screenshot=" + shot, "--window-size=" + WIDTH + "," + HEIGHT,
                page.toUri().toString());
        Process chromium = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!chromium.waitFor(180, TimeUnit.SECONDS)) { // a hung browser, not a speed check
            chromium.destroyForcibly();
            throw new AssertionError("Chromium did not finish within 180 s: " + command);
        }
        String text = Files.readString(log);
        List<String> console = new ArrayList<>();
        for (String line : text.split("\n")) {
            // console messages (CSP refusals, script errors) and failed loads; not Chromium's own D-Bus noise
            if (line.contains(":CONSOLE") || line.contains("net::ERR_") || line.contains("Failed to load")) {
                console.add(line);
            }
        }
        assertThat(chromium.exitValue()).as("Chromium's exit status; its log:%n%s", text).isZero();
        assertThat(shot).as("the screenshot; Chromium's log:%n%s", text).exists();
        return new Run(console, ImageIO.read(shot.toFile()), text);
    }

    @Test
    void theReportLoadsNothingAndShowsItsCurves(@TempDir Path dir) throws Exception {
        // The check itself: a page that tries to load things must be seen to fail in this browser.
        Path bad = dir.resolve("bad.html");
        Files.writeString(bad, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv="
                + "\"Content-Security-Policy\" content=\"" + TrainingReport.CONTENT_SECURITY_POLICY + "\"></head>"
                + "<body><img src=\"missing.png\"><p>bad</p></body></html>");
        assertThat(open(bad, dir).console()).as("console of a page that loads an image").isNotEmpty();
        // ... and a page without charts must be seen to lack the curve colours.
        Path plain = dir.resolve("plain.html");
        TrainingReport.of("no charts").network(io.github.backprop4j.train.TrainerTestSupport.irisLikeRun().network())
                .write(plain);
        BufferedImage blank = open(plain, dir).screenshot();
        LineChart.Box whole = new LineChart.Box(0, 0, blank.getWidth() - 1, blank.getHeight() - 1);
        assertThat(Pixels.countNear(blank, whole, LineChart.seriesColor(0), 40)).as("curve colour on a page without"
                + " charts").isLessThan(50);

        Path page = dir.resolve("report.html");
        TrainingReportTest.sample().write(page);
        Run run = open(page, dir);
        assertThat(run.console()).as("console and failed loads; the whole log:%n%s", run.log()).isEmpty();

        BufferedImage shot = run.screenshot();
        LineChart.Box all = new LineChart.Box(0, 0, shot.getWidth() - 1, shot.getHeight() - 1);
        for (int i = 0; i < 2; i++) {
            assertThat(Pixels.countNear(shot, all, LineChart.seriesColor(i), 40))
                    .as("pixels of curve colour %d in the screenshot", i).isGreaterThan(500);
        }
        // the plot area around the first curve is not blank: find the curve's pixels and look inside their box
        LineChart.Box curve = Pixels.boundsOf(shot, all, LineChart.seriesColor(0), 40);
        assertThat(curve.right() - curve.left()).as("width of the drawn curves").isGreaterThan(200);
        assertThat(Pixels.countNonWhite(shot, curve)).isGreaterThan(2000);
    }
}
