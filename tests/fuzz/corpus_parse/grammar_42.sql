RUN SCRIPT 'setup.sql';
