using System.CommandLine;
using Pop3.Kestrel.UsersFile;

namespace Pop3.Server.Cli;

/// <summary><c>hash-password [-s SCHEME] [-r ROUNDS]</c>: prints <c>{SCHEME}hash</c> for a users file line, like <c>doveadm pw</c>.</summary>
internal static class HashPasswordCommand
{
    public const string DefaultScheme = "SHA512-CRYPT";

    public static Command Create(TextReader input, TextWriter output, TextWriter error)
    {
        var scheme = new Option<string>("--scheme", "-s")
        {
            Description = "The scheme (see --list).",
            HelpName = "SCHEME",
            DefaultValueFactory = _ => DefaultScheme,
        };
        var rounds = new Option<int?>("--rounds", "-r") { Description = "The cost: rounds (crypt schemes) or iterations.", HelpName = "ROUNDS" };
        var list = new Option<bool>("--list", "-l") { Description = "Print the supported schemes and exit." };
        var command = new Command("hash-password",
            "Hash a password for the users file, like doveadm pw. The password is read from standard input (prompted\n" +
            "for twice, without echo, on a terminal).")
        {
            scheme, rounds, list,
        };
        command.Aliases.Add("pw");
        command.SetAction(result => result.GetValue(list)
            ? List(output)
            : Run(result.GetValue(scheme)!, result.GetValue(rounds), input, output, error));
        return command;
    }

    private static int List(TextWriter output)
    {
        output.WriteLine(string.Join(' ', Pop3PasswordSchemes.Names));
        return SysExits.Ok;
    }

    public static int Run(string scheme, int? rounds, TextReader input, TextWriter output, TextWriter error)
    {
        if (rounds is <= 0)
        {
            error.WriteLine($"hash-password: --rounds is {rounds}; it must be a positive number.");
            return SysExits.Usage;
        }

        if (!Pop3PasswordSchemes.IsSupported(scheme))
        {
            error.WriteLine($"hash-password: unknown scheme '{scheme}'. Supported: {string.Join(", ", Pop3PasswordSchemes.Names)}");
            return SysExits.Usage;
        }

        var password = ReadPassword(input, error);
        if (string.IsNullOrEmpty(password))
        {
            error.WriteLine("hash-password: empty password");
            return SysExits.DataError;
        }

        output.WriteLine(Pop3PasswordSchemes.Hash(scheme, password, rounds));
        return SysExits.Ok;
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
