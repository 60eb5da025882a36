@echo off
rem Proxima's Maven wrapper for Windows: the same steps as ./mvnw.
rem
rem 1. Finds a JDK whose feature release is at least `requiredJavaFeature` (25): first
rem    %PROXIMA_JAVA_HOME%, then %JAVA_HOME%, then the usual install folders (Program Files\Java,
rem    Eclipse Adoptium, Microsoft, Zulu, Amazon Corretto, BellSoft, %USERPROFILE%\.jdks), picking the
rem    newest. The JDK on PATH may be older: it is not used unless it is JAVA_HOME.
rem 2. Downloads the pinned Maven distribution once into %USERPROFILE%\.m2\wrapper\dists (or
rem    %MAVEN_USER_HOME%\wrapper\dists), checks its SHA-512 (PowerShell) and unpacks it (tar, Windows 10+).
rem 3. Runs Maven with JAVA_HOME set to that JDK.
setlocal EnableExtensions EnableDelayedExpansion

set "BASE_DIR=%~dp0"
set "PROPS=%BASE_DIR%.mvn\wrapper\maven-wrapper.properties"
for /f "usebackq eol=# tokens=1,* delims==" %%a in ("%PROPS%") do (
  if "%%a"=="distributionUrl" set "DIST_URL=%%b"
  if "%%a"=="distributionSha512Sum" set "DIST_SHA=%%b"
  if "%%a"=="requiredJavaFeature" set "NEED=%%b"
)

set "JDK="
for %%c in ("!PROXIMA_JAVA_HOME!" "!JAVA_HOME!") do (
  if not defined JDK if not "%%~c"=="" (
    call :feature "%%~c"
    if !FEATURE! GEQ !NEED! set "JDK=%%~c"
  )
)
if not defined JDK (
  set "BEST=0"
  for %%r in ("%ProgramFiles%\Java" "%ProgramFiles%\Eclipse Adoptium" "%ProgramFiles%\Microsoft" "%ProgramFiles%\Zulu" "%ProgramFiles%\Amazon Corretto" "%ProgramFiles%\BellSoft" "%USERPROFILE%\.jdks") do (
    if exist "%%~r\" for /d %%d in ("%%~r\*") do (
      call :feature "%%~d"
      if !FEATURE! GEQ !NEED! if !FEATURE! GTR !BEST! (
        set "BEST=!FEATURE!"
        set "JDK=%%~d"
      )
    )
  )
)
if not defined JDK (
  echo mvnw: Proxima needs a JDK !NEED! or newer, and none was found ^(looked at %%PROXIMA_JAVA_HOME%%, %%JAVA_HOME%%, Program Files\Java, Eclipse Adoptium, Microsoft, Zulu, Amazon Corretto, BellSoft, %%USERPROFILE%%\.jdks^). Install a JDK !NEED! ^(e.g. Temurin !NEED!^) and set JAVA_HOME to its folder. 1>&2
  exit /b 1
)
set "JAVA_HOME=!JDK!"

for %%f in ("!DIST_URL:/=\!") do set "DIST_FILE=%%~nxf"
set "DIST_NAME=!DIST_FILE:-bin.tar.gz=!"
if defined MAVEN_USER_HOME (set "DISTS=!MAVEN_USER_HOME!\wrapper\dists") else (set "DISTS=!USERPROFILE!\.m2\wrapper\dists")
set "MAVEN_HOME=!DISTS!\!DIST_NAME!"
if not exist "!MAVEN_HOME!\bin\mvn.cmd" (
  if not exist "!DISTS!" mkdir "!DISTS!"
  set "DOWNLOAD=!DISTS!\.download.!RANDOM!!RANDOM!"
  mkdir "!DOWNLOAD!"
  set "ARCHIVE=!DOWNLOAD!\dist.tar.gz"
  echo mvnw: downloading !DIST_NAME! from !DIST_URL! 1>&2
  powershell -NoProfile -ExecutionPolicy Bypass -Command "$ErrorActionPreference = 'Stop'; [Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12; (New-Object Net.WebClient).DownloadFile($env:DIST_URL, $env:ARCHIVE); if ((Get-FileHash -Algorithm SHA512 -LiteralPath $env:ARCHIVE).Hash -ne $env:DIST_SHA) { exit 2 }"
  if errorlevel 2 (
    echo mvnw: SHA-512 of the downloaded !DIST_NAME! does not match .mvn\wrapper\maven-wrapper.properties 1>&2
    rmdir /s /q "!DOWNLOAD!"
    exit /b 1
  )
  if errorlevel 1 (
    echo mvnw: could not download !DIST_URL! 1>&2
    rmdir /s /q "!DOWNLOAD!"
    exit /b 1
  )
  tar -xzf "!ARCHIVE!" -C "!DOWNLOAD!"
  if errorlevel 1 (
    echo mvnw: could not unpack !ARCHIVE! ^(needs tar.exe, part of Windows 10 and later^) 1>&2
    rmdir /s /q "!DOWNLOAD!"
    exit /b 1
  )
  if exist "!MAVEN_HOME!" rmdir /s /q "!MAVEN_HOME!"
  move "!DOWNLOAD!\!DIST_NAME!" "!MAVEN_HOME!" >nul
  rmdir /s /q "!DOWNLOAD!"
)

endlocal & set "JAVA_HOME=%JAVA_HOME%" & set "MVNW_MAVEN_HOME=%MAVEN_HOME%"
"%MVNW_MAVEN_HOME%\bin\mvn.cmd" %*
exit /b %ERRORLEVEL%

rem Sets FEATURE to the feature release of the JDK in folder %1 (from its `release` file), or 0.
:feature
set "FEATURE=0"
if not exist "%~1\bin\java.exe" exit /b 0
if not exist "%~1\bin\javac.exe" exit /b 0
if not exist "%~1\release" exit /b 0
set "JV="
for /f "usebackq tokens=2 delims==" %%v in (`findstr /b /c:"JAVA_VERSION=" "%~1\release"`) do set "JV=%%~v"
if not defined JV exit /b 0
for /f "tokens=1 delims=." %%m in ("%JV%") do set "FEATURE=%%m"
exit /b 0
