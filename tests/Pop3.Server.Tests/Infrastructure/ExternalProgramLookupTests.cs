using Xunit.Abstractions;
using Xunit.Sdk;

namespace Pop3.Server.Tests.Infrastructure;

/// <summary>
/// The skip-with-reason path every interop test relies on: a missing program skips its test naming the program and
/// its Debian package, or fails it when POP3_TEST_REQUIRE_TOOLS=1; and the test framework reports such a skip as
/// skipped, not failed.
/// </summary>
public sealed class ExternalProgramLookupTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_program_missing_from_the_search_path_skips_the_test_naming_the_program_and_its_package()
    {
        var lookup = new ExternalProgramLookup(Folder("empty"), required: false);

        Assert.Null(lookup.Find(ExternalProgram.Fetchmail));
        var skip = Assert.Throws<SkipTestException>(() => lookup.Locate(ExternalProgram.Fetchmail));
        Assert.Equal("needs fetchmail (Debian package fetchmail)", skip.Message);
    }

    [Fact]
    public void With_programs_required_a_missing_program_fails_the_test_naming_the_program_and_its_package()
    {
        var lookup = new ExternalProgramLookup(Folder("empty"), required: true);

        var failure = Assert.Throws<FailException>(() => lookup.Locate(ExternalProgram.Doveadm));
        Assert.StartsWith("needs doveadm (Debian package dovecot-core); POP3_TEST_REQUIRE_TOOLS=1 makes a missing program a failure", failure.Message);
    }

    [Fact]
    public void A_program_is_the_first_executable_file_of_that_name_on_the_search_path()
    {
        Skip.Unless(!OperatingSystem.IsWindows(), "needs Unix file modes: on Windows every file counts as executable");
        var notExecutable = Folder("first");
        File.WriteAllText(Path.Combine(notExecutable, "curl"), "not a program");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(notExecutable, "curl"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var executable = Folder("second");
        var curl = Executable(executable, "curl", "#!/bin/sh\nexit 0\n");
        var shadowed = Folder("third");
        Executable(shadowed, "curl", "#!/bin/sh\nexit 0\n");

        var lookup = new ExternalProgramLookup(string.Join(Path.PathSeparator, Folder("empty"), notExecutable, executable, shadowed), required: true);

        Assert.Equal(curl, lookup.Locate(ExternalProgram.Curl));
    }

    [Fact]
    public void PostgreSqls_server_programs_are_also_looked_for_where_pg_config_says_and_other_programs_are_not()
    {
        var bin = Folder("postgresql-bin");
        var initdb = Executable(bin, "initdb", "#!/bin/sh\nexit 0\n");
        Executable(bin, "curl", "#!/bin/sh\nexit 0\n");
        var path = Folder("path");
        Executable(path, "pg_config", $"#!/bin/sh\n[ \"$1\" = --bindir ] && echo '{bin}'\n");

        var lookup = new ExternalProgramLookup(path, required: false);

        Assert.Equal(initdb, lookup.Find(ExternalProgram.Initdb));
        Assert.Null(lookup.Find(ExternalProgram.PgCtl));
        Assert.Null(lookup.Find(ExternalProgram.Curl));
    }

    [Fact]
    public void Dovecots_helper_processes_are_looked_for_in_lib_dovecot_beside_doveadm()
    {
        var bin = Folder("usr/bin");
        Executable(bin, "doveadm", "#!/bin/sh\nexit 0\n");
        var pop3 = Executable(Folder("usr/lib/dovecot"), "pop3", "#!/bin/sh\nexit 0\n");

        Assert.Equal(pop3, new ExternalProgramLookup(bin, required: false).Find(ExternalProgram.DovecotPop3));
        var skip = Assert.Throws<SkipTestException>(() => new ExternalProgramLookup(Folder("empty"), required: false).Locate(ExternalProgram.DovecotPop3));
        Assert.Equal("needs Dovecot's pop3 (Debian package dovecot-pop3d)", skip.Message);
    }

    [Fact]
    public void A_program_named_by_a_test_takes_the_known_package_and_an_unknown_one_the_package_given()
    {
        Assert.Equal("needs doveadm (Debian package dovecot-core)", ExternalProgram.Named("doveadm", "doveadm").Needs);
        Assert.Equal("needs swaks (Debian package swaks)", ExternalProgram.Named("swaks", "swaks").Needs);
    }

    [Fact]
    public void A_failure_caused_by_a_skip_is_reported_as_skipped_with_its_reason()
    {
        var sent = new CollectingMessageBus();
        var bus = new SkippingMessageBus(sent);
        var test = ThisTest();

        bus.QueueMessage(new TestFailed(test, 0m, "", new SkipTestException("needs mpop (Debian package mpop)")));
        bus.QueueMessage(new TestFailed(test, 0m, "", new AggregateException(
            new SkipTestException("needs curl (Debian package curl)"), new NullReferenceException("clean-up after the skip"))));

        Assert.Equal(2, bus.Skipped);
        Assert.Collection(sent.Messages,
            message => Assert.Equal("needs mpop (Debian package mpop)", Assert.IsAssignableFrom<ITestSkipped>(message).Reason),
            message => Assert.Equal("needs curl (Debian package curl)", Assert.IsAssignableFrom<ITestSkipped>(message).Reason));
    }

    [Fact]
    public void Any_other_failure_stays_a_failure()
    {
        var sent = new CollectingMessageBus();
        var bus = new SkippingMessageBus(sent);
        var test = ThisTest();

        bus.QueueMessage(new TestFailed(test, 0m, "", new InvalidOperationException("a real failure")));
        bus.QueueMessage(new TestFailed(test, 0m, "", new AggregateException(
            new InvalidOperationException("a real failure"), new SkipTestException("needs curl (Debian package curl)"))));
        bus.QueueMessage(new TestPassed(test, 0m, ""));

        Assert.Equal(0, bus.Skipped);
        Assert.Collection(sent.Messages,
            message => Assert.IsAssignableFrom<ITestFailed>(message),
            message => Assert.IsAssignableFrom<ITestFailed>(message),
            message => Assert.IsAssignableFrom<ITestPassed>(message));
    }

    private string Folder(string name) => Directory.CreateDirectory(_folder[name]).FullName;

    private static string Executable(string folder, string name, string script)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, script);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    private static XunitTest ThisTest()
    {
        var type = typeof(ExternalProgramLookupTests);
        var testClass = new TestClass(new TestCollection(new TestAssembly(Reflector.Wrap(type.Assembly)), null, "skips"), Reflector.Wrap(type));
        var method = new TestMethod(testClass, Reflector.Wrap(type.GetMethod(nameof(Any_other_failure_stays_a_failure))!));
        return new XunitTest(new XunitTestCase(new NullMessageSink(), TestMethodDisplay.Method, TestMethodDisplayOptions.None, method), "a test");
    }

    private sealed class CollectingMessageBus : IMessageBus
    {
        public List<IMessageSinkMessage> Messages { get; } = [];

        public bool QueueMessage(IMessageSinkMessage message)
        {
            Messages.Add(message);
            return true;
        }

        public void Dispose()
        {
        }
    }
}
