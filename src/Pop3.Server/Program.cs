using Pop3.Server.Cli;
using Pop3.Server.Hosting;

var invocation = await Pop3Cli.RunAsync(args);
return invocation.ExitCode ?? await ServerHost.RunAsync(invocation.Configuration, invocation.Verbose);

/// <summary>The server's entry point, public so integration tests can host it.</summary>
public partial class Program;
