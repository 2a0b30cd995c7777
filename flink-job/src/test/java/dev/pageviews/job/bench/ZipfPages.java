package dev.pageviews.job.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Page URLs drawn with a Zipf distribution: rank k is chosen with probability proportional to 1/k^s. */
final class ZipfPages {

    private final double[] cumulative;
    private final String[] urls;

    ZipfPages(int pages, double exponent) {
        cumulative = new double[pages];
        urls = new String[pages];
        double sum = 0;
        for (int k = 0; k < pages; k++) {
            sum += 1.0 / Math.pow(k + 1, exponent);
            cumulative[k] = sum;
            urls[k] = "/page/" + k;
        }
        for (int k = 0; k < pages; k++) {
            cumulative[k] /= sum;
        }
    }

    String next(SplittableRandom random) {
        int i = Arrays.binarySearch(cumulative, random.nextDouble());
        return urls[i >= 0 ? i : Math.min(-i - 1, urls.length - 1)];
    }

    /** The share of traffic the most popular page gets. */
    double topShare() {
        return cumulative[0];
    }
}
