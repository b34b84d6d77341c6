using Xunit.Abstractions;
using Xunit.Sdk;

namespace Pop3.Tests;

/// <summary>
/// Passes every message on, except a test failure whose first exception is a <see cref="SkipTestException"/>: that
/// becomes a skip with the exception's message as the reason. "First" because a test stopped by a skip may fail
/// again in its clean-up (an aggregate of both); the skip is still the reason it did not run.
/// </summary>
internal sealed class SkippingMessageBus(IMessageBus inner) : IMessageBus
{
    private static readonly string SkipType = typeof(SkipTestException).FullName!;
    private static readonly string AggregateType = typeof(AggregateException).FullName!;
    private int _skipped;

    /// <summary>How many failures were reported as skips.</summary>
    public int Skipped => Volatile.Read(ref _skipped);

    public bool QueueMessage(IMessageSinkMessage message)
    {
        if (message is ITestFailed failed && SkipReason(failed) is { } reason)
        {
            Interlocked.Increment(ref _skipped);
            return inner.QueueMessage(new TestSkipped(failed.Test, reason));
        }

        return inner.QueueMessage(message);
    }

    /// <summary>The owner of the inner bus disposes it.</summary>
    public void Dispose()
    {
    }

    private static string? SkipReason(ITestFailed failed)
    {
        var types = failed.ExceptionTypes;
        if (types.Length > 0 && types[0] == SkipType)
        {
            return failed.Messages[0];
        }

        return types.Length > 1 && types[0] == AggregateType && types[1] == SkipType ? failed.Messages[1] : null;
    }
}
