var builder = WebApplication.CreateBuilder(args);
builder.Build().Run();
public partial class Program;
