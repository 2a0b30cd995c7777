package dev.pageviews.job;

/**
 * Entry point for {@code flink run} and the Kubernetes operator: reads the settings ({@link JobConfig}) and submits
 * the job ({@link JobSubmission}). No Flink type appears in this class, so {@code --help} also works from the job
 * jar alone, without Flink on the classpath: {@code java -cp flink-job-<version>-job.jar dev.pageviews.job.PageViewsJob --help}.
 */
public final class PageViewsJob {

    public static final String JOB_NAME = "pageviews";

    private PageViewsJob() {}

    public static void main(String[] args) throws Exception {
        if (JobConfig.asksForHelp(args)) {
            System.out.print(JobConfig.help()); // the one place the job prints: a person asked for help
            return;
        }
        JobSubmission.run(JobConfig.parse(args), args);
    }
}
