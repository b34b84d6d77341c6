namespace Pop3.Tests;

/// <summary>Skips the running test, with a reason, when this machine cannot run it.</summary>
internal static class Skip
{
    /// <summary>Skips the test with <paramref name="reason"/> unless <paramref name="condition"/> holds.</summary>
    public static void Unless(bool condition, string reason)
    {
        if (!condition)
        {
            throw new SkipTestException(reason);
        }
    }
}
