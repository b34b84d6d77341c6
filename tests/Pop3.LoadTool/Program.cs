using Pop3.LoadTool;

// pop3-load --scenario login --host 127.0.0.1 --port 1110 --user 'user{n}' --users 64 --password secret --concurrency 16 --duration 10 [--server-pid PID]
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
