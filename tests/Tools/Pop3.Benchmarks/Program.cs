using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;

namespace Pop3.Benchmarks;

/// <summary>
/// Runs the benchmarks: <c>dotnet run -c Release --project tests/Tools/Pop3.Benchmarks -- --filter '*'</c>.
/// <c>--smoke</c> instead runs every benchmark method a few times in-process, unmeasured, so CI proves they work in seconds.
/// <c>--tls-cpu [rounds]</c> measures the TLS write path by the process's CPU time instead (see <see cref="TlsWriteBenchmarks"/>).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["--smoke", ..])
        {
            await Smoke.RunAsync(Console.Out);
            return 0;
        }

        if (args is ["--tls-cpu", ..])
        {
            await TlsWriteBenchmarks.CpuSplitAsync(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15);
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}

/// <summary>Runs each benchmark method directly (setup, a few calls, cleanup) for every parameter combination's first value.</summary>
public static class Smoke
{
    /// <summary>The benchmark classes, for tests.</summary>
    public static IReadOnlyList<Type> Classes { get; } =
        typeof(Smoke).Assembly.GetTypes().Where(t => t.IsPublic && t.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null)).ToArray();

    /// <summary>True during a smoke run: set-ups make small data.</summary>
    public static bool IsRunning { get; private set; }

    /// <summary>Runs every benchmark of every class; throws if one fails.</summary>
    public static async Task RunAsync(TextWriter log)
    {
        IsRunning = true;
        try
        {
            await RunAllAsync(log);
        }
        finally
        {
            IsRunning = false;
        }
    }

    private static async Task RunAllAsync(TextWriter log)
    {
        foreach (var type in Classes)
        {
            var instance = Activator.CreateInstance(type)!;
            foreach (var parameter in type.GetProperties().Where(p => p.GetCustomAttribute<ParamsAttribute>() is not null))
            {
                // The smallest value keeps the smoke run short.
                parameter.SetValue(instance, parameter.GetCustomAttribute<ParamsAttribute>()!.Values[0]);
            }

            Invoke<GlobalSetupAttribute>(type, instance);
            foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
            {
                for (var i = 0; i < 3; i++)
                {
                    var result = method.Invoke(instance, null);
                    switch (result)
                    {
                        case Task task:
                            await task;
                            break;
                        case ValueTask<int> valueTask:
                            await valueTask;
                            break;
                    }
                }

                log.WriteLine($"smoke ok: {type.Name}.{method.Name}");
            }

            // A benchmark over pipes with inline schedulers may have resumed this loop on the session's own stack; a
            // clean-up that waits for the session would then wait for itself. Leave that stack first.
            await Task.Yield();
            Invoke<GlobalCleanupAttribute>(type, instance);
        }
    }

    private static void Invoke<TAttribute>(Type type, object instance)
        where TAttribute : Attribute
    {
        foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
        {
            method.Invoke(instance, null);
        }
    }
}
