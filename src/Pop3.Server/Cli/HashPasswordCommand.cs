using Pop3.Kestrel.Authentication;

namespace Pop3.Server.Cli;

/// <summary><c>hash-password [-s SCHEME] [-r ROUNDS]</c>: prints <c>{SCHEME}hash</c> for a users file line, like <c>doveadm pw</c>.</summary>
internal static class HashPasswordCommand
{
    public const string DefaultScheme = "SHA512-CRYPT";

    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        var scheme = DefaultScheme;
        int? rounds = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-s" or "--scheme" when i + 1 < args.Length:
                    scheme = args[++i];
                    break;
                case "-r" or "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], out var r) && r > 0:
                    rounds = r;
                    i++;
                    break;
                case "-l" or "--list":
                    output.WriteLine(string.Join(' ', Pop3PasswordSchemes.Names));
                    return 0;
                default:
                    error.WriteLine($"hash-password: unexpected '{args[i]}'. Usage: hash-password [-s SCHEME] [-r ROUNDS] [-l]");
                    return 2;
            }
        }

        if (!Pop3PasswordSchemes.IsSupported(scheme))
        {
            error.WriteLine($"hash-password: unknown scheme '{scheme}'. Supported: {string.Join(", ", Pop3PasswordSchemes.Names)}");
            return 2;
        }

        var password = ReadPassword(input, error);
        if (string.IsNullOrEmpty(password))
        {
            error.WriteLine("hash-password: empty password");
            return 1;
        }

        output.WriteLine(Pop3PasswordSchemes.Hash(scheme, password, rounds));
        return 0;
    }

    /// <summary>On a terminal: asks twice without echo. Otherwise: the first line of standard input.</summary>
    private static string? ReadPassword(TextReader input, TextWriter error)
    {
        if (!ReferenceEquals(input, Console.In) || Console.IsInputRedirected)
        {
            return input.ReadLine();
        }

        var first = Prompt("Enter new password: ", error);
        var second = Prompt("Retype new password: ", error);
        if (first != second)
        {
            error.WriteLine("hash-password: passwords don't match");
            return null;
        }

        return first;
    }

    private static string Prompt(string prompt, TextWriter error)
    {
        error.Write(prompt);
        var password = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                error.WriteLine();
                return password.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
    }
}
