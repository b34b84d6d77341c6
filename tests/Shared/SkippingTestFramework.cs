using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Pop3.Tests;

/// <summary>
/// xunit 2's own framework, but a test that ends in <see cref="SkipTestException"/> is reported as skipped with the
/// exception's message as the reason. xunit 2 can only skip a test statically (<c>[Fact(Skip = ...)]</c>); this is
/// what lets a test, its <c>InitializeAsync</c> or a fixture find out at run time that a program is missing, and lets
/// inherited tests (the conformance kit's) skip too. Every test project uses it: tests/Directory.Build.props adds the
/// assembly's <see cref="TestFrameworkAttribute"/>.
/// </summary>
internal sealed class SkippingTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        // xunit's own executor has the same async void override: the runner waits for the assembly's finished message.
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new AssemblyRunner(TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }
    }

    private sealed class AssemblyRunner(
        ITestAssembly testAssembly,
        IEnumerable<IXunitTestCase> testCases,
        IMessageSink diagnosticMessageSink,
        IMessageSink executionMessageSink,
        ITestFrameworkExecutionOptions executionOptions)
        : XunitTestAssemblyRunner(testAssembly, testCases, diagnosticMessageSink, executionMessageSink, executionOptions)
    {
        protected override async Task<RunSummary> RunTestCollectionAsync(
            IMessageBus messageBus, ITestCollection testCollection, IEnumerable<IXunitTestCase> testCases, CancellationTokenSource cancellationTokenSource)
        {
            var skipping = new SkippingMessageBus(messageBus);
            var summary = await base.RunTestCollectionAsync(skipping, testCollection, testCases, cancellationTokenSource);

            // The assembly's totals come from these summaries: move the translated failures to the skipped count.
            summary.Failed -= skipping.Skipped;
            summary.Skipped += skipping.Skipped;
            return summary;
        }
    }
}
