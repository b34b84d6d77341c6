namespace Pop3.Tests;

/// <summary>
/// Thrown by a test (or its constructor, <c>InitializeAsync</c> or fixture access) that cannot run here; the test
/// framework of every test project (<see cref="SkippingTestFramework"/>) reports it as skipped with
/// <see cref="Exception.Message"/> as the reason instead of failed.
/// </summary>
/// <remarks>Throw it through <see cref="ExternalProgramLookup.Unavailable"/> or <see cref="Skip.Unless"/>, never by
/// hand for a program: the lookup is what turns a skip into a failure when programs are required.</remarks>
internal sealed class SkipTestException(string reason) : Exception(reason);
