package dev.keyrotator.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.keyrotator.aws.LazyClient;
import dev.keyrotator.aws.S3ReportReader;
import dev.keyrotator.aws.S3ReportSink;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.ports.ReportReader;
import dev.keyrotator.ports.ReportSink;
import dev.keyrotator.report.ReportDelivery;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Report delivery to the security account: {@link ReportSink} on S3 and {@link ReportDelivery}
 * (which also publishes the SNS summary through the {@link Notifier}), and {@link ReportReader} for
 * the merge step of a fanned-out run. Needs the central S3 client and the notifier ({@code
 * AwsModule} provides both).
 */
public final class ReportingModule extends AbstractModule {

  @Override
  protected void configure() {
    requireBinding(new Key<LazyClient<S3Client>>() {});
    requireBinding(Notifier.class);
  }

  @Provides
  @Singleton
  ReportSink reportSink(LazyClient<S3Client> s3) {
    return S3ReportSink.create(s3);
  }

  @Provides
  @Singleton
  ReportReader reportReader(LazyClient<S3Client> s3) {
    return S3ReportReader.create(s3);
  }

  @Provides
  @Singleton
  ReportDelivery reportDelivery(ReportSink sink, Notifier notifier) {
    return new ReportDelivery(sink, notifier);
  }
}
