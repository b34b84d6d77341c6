using Pop3.LoadTool;

// pop3-load --scenario login --host 127.0.0.1 --port 1110 --user 'user{n}' --users 64 --password secret --concurrency 16 --duration 10 [--server-pid PID] [--tls none|stls|implicit] [--tls-resume true]
// Socket completions run on the socket event threads instead of being handed to the thread pool: the client
// only checks replies, never blocks, and every hand-off it saves is CPU left to the server under test, which
// shares the cores. Read when the first socket is made, so it is set before anything else runs.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

try
{
    var options = LoadOptions.Parse(args);
    var result = await LoadRunner.RunAsync(options);
    Console.WriteLine(result.ToJson());
    Console.Error.WriteLine(result.ToString());
    return result.Ok ? 0 : 1;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine("pop3-load: " + e.Message);
    return 2;
}
